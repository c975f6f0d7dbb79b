"""Forms of the green-channel pages: applying (matter, missing materials, the signed commitment with the files),
the window's acceptance and its per-item verdicts, the applicant's materials; and the licence matters catalogue."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from forms.admin import CODE_HELP, CODE_PATTERN
from forms.cases import ACCEPT_EVIDENCE, EVIDENCE_HINT, UUID_PATTERN
from workflows.services.casework.evidence import Upload


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MatterChoiceForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    matter = SelectField(_l("Licence matter"), choices=[], validate_choice=False, validators=[DataRequired()])
    submit = SubmitField(_l("Next"))


class MissingForm(FlaskForm):
    class Meta:
        csrf = False

    missing = CheckboxesField(_l("Materials you will supply later"), choices=[], coerce=int, validate_choice=False)
    submit = SubmitField(_l("Next: the commitment"))


class CommitmentForm(FlaskForm):
    """The files of the supplied materials (one field per material: file_<no>) and the signature."""

    signatory = StringField(_l("Name of the person who signs"), validators=[DataRequired(), Length(max=100)],
                            render_kw={"autocomplete": "name"})
    signed = BooleanField(_l("I have read the written commitment above and sign it for the applicant"),
                          validators=[DataRequired(message=_l("Sign the commitment to file the application."))])
    submission_key = HiddenField(validators=[DataRequired(), Regexp(UUID_PATTERN)])
    submit = SubmitField(_l("Sign and file the application"))

    def file_fields(self):
        return [f for f in self if f.name.startswith("file_")]

    def uploads_by_line(self) -> dict[int, Upload]:
        return {int(f.name[5:]): Upload(f.data.filename or "", f.data.read()) for f in self.file_fields() if f.data}


def commitment_form(supplied: list[tuple[int, str]]) -> type[CommitmentForm]:
    """A file field per material supplied now, (number, label): what the window checks at acceptance. A material
    is supplied with its file: without it, it is not marked supplied (it is missing, to follow or to choose so)."""
    attributes = {f"file_{no}": FileField(label, description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE},
                                          validators=[FileRequired(_l("Attach the file of this material: a material "
                                                                      "is supplied with its file."))])
                  for no, label in supplied}
    return type("ApplicationCommitmentForm", (CommitmentForm,), attributes)


class VersionForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def acceptance_form(missing: list[tuple[int, str]], processing_days: int, default: int) -> type[VersionForm]:
    """The window's acceptance: a deadline in working days per missing item (number, label), at most the
    processing time; the service checks the limit again, so a crafted request gets the same answer."""
    hint = _l("Working days from today; at most the matter's processing time.")
    attributes = {f"days_{no}": IntegerField(label, default=default, description=hint, validators=[InputRequired()],
                                             render_kw={"inputmode": "numeric", "min": 1, "max": processing_days})
                  for no, label in missing}
    attributes["submit"] = SubmitField(_l("Accept against the commitment"))
    return type("AcceptanceForm", (VersionForm,), attributes)


class SubmitMaterialForm(VersionForm):
    files = MultipleFileField(_l("The material"), description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Submit this material"))

    def uploads(self) -> list[Upload]:
        return [Upload(f.filename or "", f.read()) for f in self.files.data or [] if f]


class VerifyMaterialForm(VersionForm):
    result = RadioField(_l("Verdict"), validators=[InputRequired()],
                        choices=[SelectChoice("verified", _l("Verified: the material is complete and correct")),
                                 SelectChoice("rejected", _l("Rejected: the applicant must submit it again"))])
    reason = TextAreaField(_l("Reason (required when rejected)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the verdict"))


class MatterForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Regexp(CODE_PATTERN, message=CODE_HELP)],
                       description=CODE_HELP)
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    department = SelectField(_l("Owning department"), choices=[], validate_choice=False, validators=[DataRequired()])
    processing_days = IntegerField(_l("Promised processing time (working days)"),
                                   validators=[InputRequired(), NumberRange(1, 365)])
    materials_days = IntegerField(
        _l("Deadline for missing materials (working days)"), validators=[Optional(), NumberRange(1, 365)],
        description=_l("Leave empty to use the setting for all matters; never more than the processing time."))
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=4000)])
    active = BooleanField(_l("Active (open to new applications)"), default=True)
    submit = SubmitField(_l("Save"))


class MaterialForm(FlaskForm):
    name = StringField(_l("Material (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Material (English)"), validators=[Optional(), Length(max=200)])
    kind = RadioField(_l("Kind"), validators=[InputRequired()], default="core",
                      choices=[SelectChoice("core", _l("Statutory core: must be supplied when filing")),
                               SelectChoice("deferrable", _l("Deferrable: may follow against a commitment"))])
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 999)])
    active = BooleanField(_l("Active (required of new applications)"), default=True)
    submit = SubmitField(_l("Save material"))
