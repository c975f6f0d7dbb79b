"""Forms of the supervision pages: the dashboard's filters, urging, replying, report periods."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, \
    TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from forms.labels import PROCESSES
from workflows.processes import DEFINITIONS

PROCESS_CHOICES = [SelectChoice("", _l("All processes"))] + [SelectChoice(n, PROCESSES.get(n, n)) for n in DEFINITIONS]


class PeriodForm(FlaskForm):
    """A period of whole days; read from the query string."""

    class Meta:
        csrf = False

    start = DateField(_l("Start date"), validators=[Optional()])
    end = DateField(_l("End date"), validators=[Optional()])
    submit = SubmitField(_l("Show"))


class DashboardFilterForm(PeriodForm):
    # named so in the query string; `process` itself is a method of every form
    process_name = SelectField(_l("Process"), choices=PROCESS_CHOICES, validate_choice=False, name="process")
    department = SelectField(_l("Department"), choices=[], validate_choice=False)


class UrgeForm(FlaskForm):
    case_ids = SelectMultipleField(_l("Cases"), coerce=int, validate_choice=False,
                                   validators=[DataRequired(message=_l("Choose at least one case."))])
    message = TextAreaField(_l("What the department must do"), validators=[
        DataRequired(), Length(min=4, max=4000, message=_l("Write at least 4 and at most 4000 characters."))],
                            description=_l("Sent to the department and kept in the case's history."))
    reply_by = DateField(_l("Reply by"), validators=[Optional()],
                         description=_l("Leave empty for the default number of working days."))
    department = SelectField(_l("Department urged"), choices=[], validate_choice=False,
                             description=_l("The department the case waits on unless you choose another."))
    next = HiddenField()
    submit = SubmitField(_l("Urge the department"))


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"), validators=[
        DataRequired(), Length(min=2, max=4000, message=_l("Write at least 2 and at most 4000 characters."))])
    submit = SubmitField(_l("Send the reply"))


class GenerateMonthForm(FlaskForm):
    month = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l(
        "A month as YYYY-MM, for example 2026-10."))], render_kw={"placeholder": "2026-10", "inputmode": "numeric"})
    submit = SubmitField(_l("Generate and keep"))


class HeadForm(FlaskForm):
    user = SelectField(_l("Head of supervision"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class ConfirmInstructionForm(FlaskForm):
    carried_out_on = DateField(_l("Carried out on"), validators=[DataRequired(message=_l("State the day."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("What was done, where it is recorded."))
    submit = SubmitField(_l("Confirm as carried out"))


class UrgeInstructionsForm(FlaskForm):
    department = HiddenField(validators=[DataRequired()])
    message = TextAreaField(_l("What the department must do"), validators=[
        DataRequired(), Length(min=4, max=4000, message=_l("Write at least 4 and at most 4000 characters."))])
    submit = SubmitField(_l("Urge the department"))
