"""Forms of a verification the subject did not ask for: anyone's complaint about a public record, a department's
own finding that a record may be wrong (the objection process, `origin`)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from forms.cases import ACCEPT_EVIDENCE, EVIDENCE_HINT, UUID_PATTERN, EvidenceMixin, entry_id

GROUNDS_LENGTH = Length(min=10, max=5000, message=_l("Write at least 10 and at most 5000 characters."))


class ComplaintForm(EvidenceMixin, FlaskForm):
    subject_code = StringField(_l("Credit code of the subject"), validators=[DataRequired(), Length(max=18)],
                               description=_l("The 18-character unified social credit code, or a person's resident ID "
                                              "number."))
    list_entry_id = SelectField(_l("The public list entry you complain about"), coerce=entry_id, choices=[],
                                validate_choice=False, validators=[DataRequired()])
    grounds = TextAreaField(_l("What is wrong in the record"), validators=[DataRequired(), GROUNDS_LENGTH],
                            description=_l("What is wrong, and how you know it. At least 10 characters."))
    files = MultipleFileField(_l("Evidence files"), description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    submission_key = HiddenField(validators=[DataRequired(), Regexp(UUID_PATTERN)])
    submit = SubmitField(_l("File the complaint"))

    def params(self) -> dict:
        return {"origin": "complaint", "subject_code": self.subject_code.data.strip(),
                "list_entry_id": self.list_entry_id.data, "grounds": self.grounds.data.strip()}


class FindingForm(EvidenceMixin, FlaskForm):
    grounds = TextAreaField(_l("What the department found"), validators=[DataRequired(), GROUNDS_LENGTH],
                            description=_l("Why the record may be wrong. At least 10 characters."))
    files = MultipleFileField(_l("Evidence files"), description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    submission_key = HiddenField(validators=[DataRequired(), Regexp(UUID_PATTERN)])
    submit = SubmitField(_l("Open the verification"))

    def params(self, entry: int) -> dict:
        return {"origin": "department", "list_entry_id": entry, "grounds": self.grounds.data.strip()}
