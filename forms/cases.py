"""Forms of the case pages: filing an objection, one form per process action, the case list's filters."""
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import HiddenInput

from forms.labels import ACTION_FIELDS, ACTIONS, CHOICES, FIELDS, PROCESSES, STATES
from workflows.domain.process import Action
from workflows.processes import DEFINITIONS
from workflows.services.casework.evidence import Upload

# lets a phone's file picker offer the right files; the server checks the content anyway
ACCEPT_EVIDENCE = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
EVIDENCE_HINT = _l("PDF, PNG or JPEG; you may choose several files.")
UUID_PATTERN = r"^[0-9a-fA-F-]{32,36}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{4,38}$"
# actions on which the one taking them may attach files
FILE_ACTIONS = frozenset({"supplement"})


def entry_id(value):
    return int(value) if value not in (None, "") else None


class EvidenceMixin:
    def uploads(self) -> list[Upload]:
        field = getattr(self, "files", None)  # only some actions take files
        return [Upload(f.filename or "", f.read()) for f in (field.data if field else None) or [] if f]


class ObjectionForm(EvidenceMixin, FlaskForm):
    list_entry_id = SelectField(_l("The list entry you object to"), coerce=entry_id, choices=[],
                                validate_choice=False, validators=[DataRequired()])
    grounds = TextAreaField(_l("Grounds of the objection"), validators=[
        DataRequired(), Length(min=10, max=5000, message=_l("Write at least 10 and at most 5000 characters."))],
                            description=_l("What is wrong in the record, and why. At least 10 characters."))
    contact_name = StringField(_l("Contact name"), validators=[DataRequired(), Length(max=100)],
                               render_kw={"autocomplete": "name"})
    contact_phone = StringField(_l("Contact phone"), validators=[
        DataRequired(), Length(max=40),
        Regexp(PHONE_PATTERN, message=_l("Digits only, for example 13800138000 or 0756-1234567."))],
        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
    files = MultipleFileField(_l("Evidence files"), description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    submission_key = HiddenField(validators=[DataRequired(), Regexp(UUID_PATTERN)])
    submit = SubmitField(_l("File the objection"))

    def params(self) -> dict:
        return {"list_entry_id": self.list_entry_id.data, "grounds": self.grounds.data.strip(),
                "contact_name": self.contact_name.data.strip(), "contact_phone": self.contact_phone.data.strip()}


class ActionForm(EvidenceMixin, FlaskForm):
    """The base of the forms `action_form` builds; `version` is the case's version the page showed."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    action: Action

    def params(self) -> dict:
        values = {}
        for spec in self.action.fields:
            value = self[spec.name].data
            if spec.kind == "files":  # the files themselves go through uploads(); the rules see their names
                names = [f.filename or "" for f in value or [] if f]
                if names:
                    values[spec.name] = names
                continue
            if spec.kind == "date" and value is not None:
                value = value.isoformat()
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, "") or spec.required:
                values[spec.name] = value
        return values


def _field_label(action: Action, name: str):
    label = ACTION_FIELDS.get((action.name, name))
    return label if label is not None else FIELDS.get(name, name)


def _input_for(action: Action, spec):
    label = _field_label(action, spec.name)
    required = [DataRequired()] if spec.required else [Optional()]
    if spec.choices or spec.kind == "choice":
        choices = [SelectChoice(value, CHOICES.get((spec.name, value), value)) for value in spec.choices]
        return SelectField(label, choices=[SelectChoice("", _l("— choose —")), *choices], validators=required)
    if spec.kind == "text":
        return TextAreaField(label, validators=[*required, Length(max=4000)])
    if spec.kind == "int":
        return IntegerField(label, validators=[InputRequired() if spec.required else Optional()])
    if spec.kind == "date":
        return DateField(label, validators=required)
    if spec.kind == "bool":
        return BooleanField(label)
    if spec.kind == "files":
        return MultipleFileField(label, description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    return StringField(label, validators=[*required, Length(max=400)])


@cache
def action_form(action: Action) -> type[ActionForm]:
    """A form class for one action, built from its declared fields (one class per action)."""
    attributes = {"action": action, "submit": SubmitField(ACTIONS.get(action.name, action.name))}
    for spec in action.fields:
        attributes[spec.name] = _input_for(action, spec)
    if action.name in FILE_ACTIONS and "files" not in attributes:
        attributes["files"] = MultipleFileField(_l("Files (optional)"), description=EVIDENCE_HINT,
                                                render_kw={"accept": ACCEPT_EVIDENCE})
    return type(f"{action.name.title().replace('_', '')}Form", (ActionForm,), attributes)


class MarkReadForm(FlaskForm):
    notification_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("Mark as read"))


PROCESS_CHOICES = [SelectChoice("", _l("All processes"))] + [SelectChoice(n, PROCESSES.get(n, n)) for n in DEFINITIONS]
STATE_CHOICES = [SelectChoice("", _l("All states"))] + [
    SelectChoice(n, STATES.get(n, n)) for n in dict.fromkeys(s.name for d in DEFINITIONS.values() for s in d.states)]


DEADLINE_CHOICES = [SelectChoice("", _l("Any")), SelectChoice("overdue", _l("Overdue")),
                    SelectChoice("due_soon", _l("Due soon")), SelectChoice("on_track", _l("On track")),
                    SelectChoice("paused", _l("Paused"))]
DATED_CHOICES = [SelectChoice("filed", _l("Filed")), SelectChoice("open", _l("Filed, still open")),
                 SelectChoice("closed", _l("Ended")), SelectChoice("breached", _l("A deadline missed")),
                 SelectChoice("met", _l("A deadline met"))]


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # named so in the query string; `process` itself is a method of every form
    process_name = SelectField(_l("Process"), choices=PROCESS_CHOICES, validate_choice=False, name="process")
    state = SelectField(_l("State"), choices=STATE_CHOICES, validate_choice=False)
    overdue = SelectField(_l("Deadline"), validate_choice=False,
                          choices=[SelectChoice("", _l("Any")), SelectChoice("yes", _l("Overdue")),
                                   SelectChoice("no", _l("Not overdue"))])
    # the supervision dashboard's figures link here with these (workflows.services.supervision.deadline_filters)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)  # the page lists the departments
    deadline = SelectField(_l("Deadline status"), choices=DEADLINE_CHOICES, validate_choice=False)
    deadline_owner = HiddenField()
    dated = SelectField(_l("Dates"), choices=DATED_CHOICES, validate_choice=False)
    date_from = DateField(_l("Start date"), validators=[Optional()])
    date_to = DateField(_l("End date"), validators=[Optional()])
    search = StringField(_l("Search"), validators=[Optional(), Length(max=100)], name="q",
                         render_kw={"placeholder": _l("Subject name, credit code, case or document number")})
    submit = SubmitField(_l("Filter"))

    def query(self) -> dict:
        return {"search": (self.search.data or "").strip()[:100] or None, "process": self.process_name.data or None, "state": self.state.data or None,
                "overdue": {"yes": True, "no": False}.get(self.overdue.data),
                "department": self.department.data or None, "deadline": self.deadline.data or None,
                "deadline_owner": self.deadline_owner.data or None, "dated": self.dated.data or None,
                "date_from": self.date_from.data if not self.date_from.errors else None,
                "date_to": self.date_to.data if not self.date_to.errors else None}

