"""Forms of the listing department's pages: one listing, a bulk import, a webhook endpoint; the public search."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workflows import labels as workflow_labels

LIST_CHOICES = [SelectChoice("black", _l("Blacklist")), SelectChoice("red", _l("Red list")),
                SelectChoice("key_attention", _l("Key-attention list"))]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListingForm(FlaskForm):
    subject_code = StringField(_l("Unified Social Credit Code or resident ID number"),
                               validators=[DataRequired(), Length(max=18)])
    subject_name = StringField(_l("Name of the subject"), validators=[DataRequired(), Length(max=200)])
    list_kind = SelectField(_l("List"), choices=LIST_CHOICES, validators=[DataRequired()])
    basis = TextAreaField(_l("Basis for listing"), validators=[DataRequired(), Length(max=2000)],
                          description=_l("The legal provision and the facts."))
    document_no = StringField(_l("Decision document no."), validators=[DataRequired(), Length(max=100)])
    listed_on = DateField(_l("Listed on"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])
    measures = CheckboxesField(_l("Joint measures"), choices=[], validate_choice=False,
                               description=_l("Punishments for the blacklist and the key-attention list, "
                                              "incentives for the red list."))
    category = SelectField(_l("Category"), choices=[SelectChoice("", _l("No category")), *(
        SelectChoice(name, _l(label)) for name, label in workflow_labels.CATEGORIES.items())], validators=[Optional()])
    published_channel = StringField(_l("Published through"), validators=[Optional(), Length(max=200)],
                                    description=_l("Where a public listing is published, e.g. the credit website."))
    department = SelectField(_l("Listing department"), choices=[], validate_choice=False,
                             description=_l("Administrators only: the department the listing is recorded for."))
    legal_representative_code = StringField(_l("Legal representative's resident ID number"),
                                            validators=[Optional(), Length(max=18)])
    legal_representative_name = StringField(_l("Legal representative's name"), validators=[Optional(), Length(max=200)])
    responsible_persons = TextAreaField(_l("Directly responsible persons"), validators=[Optional(), Length(max=4000)],
                                        description=_l("One person a line: the resident ID number, then the name."))
    submit = SubmitField(_l("Record the listing"))


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Only .csv or .xlsx files."))])
    department = SelectField(_l("Listing department"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Check and import"))


class EndpointForm(FlaskForm):
    url = StringField(_l("Endpoint URL (HTTPS)"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Register the endpoint"))


class RedeliverForm(FlaskForm):
    submit = SubmitField(_l("Send again"))
