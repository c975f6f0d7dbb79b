"""Forms of the administrator's pages (users, claims, departments, measures, settings, calendar)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectChoice, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from workflows.domain.errors import InvalidInput
from workflows.domain.roles import Role

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"
CODE_HELP = _l("Capital letters, digits, '-' and '_', starting with a letter; it cannot be changed later.")

ROLE_CHOICES = [
    SelectChoice(Role.APPLICANT.value, _l("Applicant")),
    SelectChoice(Role.ACCEPTING_OFFICE.value, _l("Accepting office")),
    SelectChoice(Role.INFORMATION_PROVIDER.value, _l("Information provider")),
    SelectChoice(Role.LISTING_DEPARTMENT.value, _l("Listing department")),
    SelectChoice(Role.IMPLEMENTING_DEPARTMENT.value, _l("Implementing department")),
    SelectChoice(Role.SUPERVISOR.value, _l("Supervisor")),
    SelectChoice(Role.ADMINISTRATOR.value, _l("Administrator")),
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=80)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                        description=_l("Notices also come by SMS to this number."))
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=200)])
    roles = CheckboxesField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()])
    department = SelectField(
        _l("Department"), choices=[], validate_choice=False,
        description=_l("Required for information providers, listing and implementing departments."))
    subject = StringField(_l("Subject's credit code or resident ID number"), validators=[Optional(), Length(max=18)],
                          description=_l("Required for applicants; the subject must already be registered."))
    submit = SubmitField(_l("Create user"))


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=80)])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("All roles")), *ROLE_CHOICES], validate_choice=False)
    submit = SubmitField(_l("Filter"))


class RejectClaimForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Reject"))


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Regexp(CODE_PATTERN, message=CODE_HELP)],
                       description=CODE_HELP)
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail for notifications"),
                       validators=[Optional(), Email(check_deliverability=False), Length(max=200)])
    submit = SubmitField(_l("Save"))


class MeasureForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Regexp(CODE_PATTERN, message=CODE_HELP)],
                       description=CODE_HELP)
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=300)])
    effect = RadioField(_l("Effect"), validators=[InputRequired()],
                        choices=[SelectChoice("punishment", _l("Punishment")),
                                 SelectChoice("incentive", _l("Incentive"))])
    obligation = RadioField(_l("Obligation"), validators=[InputRequired()],
                            choices=[SelectChoice("mandatory", _l("Mandatory")),
                                     SelectChoice("recommended", _l("Recommended"))])
    department = SelectField(_l("Implementing department"), choices=[], validate_choice=False,
                             validators=[DataRequired()])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=4000)])
    active = BooleanField(_l("Active (can be attached to new listings)"), default=True)
    submit = SubmitField(_l("Save"))


def setting_form(spec, **kwargs) -> FlaskForm:
    """A form for one setting: a yes/no choice for a switch, a bounded whole number for a limit."""

    class SettingForm(FlaskForm):
        submit = SubmitField(_l("Change"))

    if isinstance(spec.default, bool):
        SettingForm.value = SelectField(_l("Value"), validators=[InputRequired()],
                                        choices=[SelectChoice("true", _l("Yes")), SelectChoice("false", _l("No"))])
    else:
        SettingForm.value = IntegerField(_l("Value"), validators=[InputRequired(),
                                                                  NumberRange(spec.minimum, spec.maximum)])
    return SettingForm(**kwargs)


class CalendarImportForm(FlaskForm):
    MAX_BYTES = 256 * 1024

    file = FileField(_l("Arrangement file (JSON, CSV or iCalendar)"),
                     validators=[FileRequired(),
                                 FileAllowed(["json", "csv", "ics"], _l("Only .json, .csv or .ics files."))],
                     render_kw={"accept": ".json,.csv,.ics,application/json,text/csv,text/calendar"})
    submit = SubmitField(_l("Import"))

    def text(self) -> str:
        """The uploaded file as text: UTF-8 (with or without BOM), or GB18030 as Excel saves CSV on Chinese Windows."""
        raw = self.file.data.read(self.MAX_BYTES + 1)
        if len(raw) > self.MAX_BYTES:
            raise InvalidInput("the file is too large for a holiday arrangement", field="file")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise InvalidInput("the file is not UTF-8 or GB18030 text", field="file")
