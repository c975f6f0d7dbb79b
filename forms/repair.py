"""Forms of credit repair: the application (entry, what was put right, proof, the signed commitment), and a
key-attention subject moved to the blacklist."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from forms.cases import ACCEPT_EVIDENCE, UUID_PATTERN, EvidenceMixin, entry_id


class RepairForm(EvidenceMixin, FlaskForm):
    list_entry_id = SelectField(_l("The blacklist entry to repair"), coerce=entry_id, choices=[],
                                validate_choice=False, validators=[DataRequired()])
    rectification = TextAreaField(_l("What has been put right"), validators=[
        DataRequired(), Length(min=10, max=5000, message=_l("Write at least 10 and at most 5000 characters."))],
        description=_l("The obligation performed, the penalty paid, the harm removed. At least 10 characters."))
    public_service = TextAreaField(_l("Public-service records (optional)"), validators=[Optional(), Length(max=3000)])
    files = MultipleFileField(_l("Proof files"), render_kw={"accept": ACCEPT_EVIDENCE},
                              description=_l("PDF, PNG or JPEG: receipts, decisions, certificates."))
    commitment_signed = BooleanField(_l("I have read the credit repair commitment above and sign it"))
    submission_key = HiddenField(validators=[DataRequired(), Regexp(UUID_PATTERN)])
    submit = SubmitField(_l("Sign and submit the application"))

    def filing(self) -> dict:
        return {"list_entry_id": self.list_entry_id.data, "rectification": self.rectification.data.strip(),
                "public_service": (self.public_service.data or "").strip()}

    def submission(self) -> dict:
        return {"commitment_signed": bool(self.commitment_signed.data),
                "public_service": (self.public_service.data or "").strip()}


class EscalationForm(FlaskForm):
    basis = TextAreaField(_l("The severe violation and its legal basis"), validators=[DataRequired(), Length(max=2000)])
    document_no = StringField(_l("Decision document no."), validators=[DataRequired(), Length(max=100)])
    valid_until = DateField(_l("On the blacklist until"), validators=[DataRequired()])
    measures = SelectMultipleField(_l("Joint measures"), choices=[], validate_choice=False,
                                   validators=[DataRequired()])
    submit = SubmitField(_l("Move to the blacklist"))
