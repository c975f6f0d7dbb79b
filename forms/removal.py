"""Forms of the re-evaluation pages and the red-list abuse report: an abuse report with evidence, a re-evaluation
of the red list or the blacklist against a stated rule."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.cases import ACCEPT_EVIDENCE, EVIDENCE_HINT, EvidenceMixin
from workflows import labels as workflow_labels


class AbuseReportForm(EvidenceMixin, FlaskForm):
    subject_code = StringField(_l("Credit code of the red-list subject"), validators=[DataRequired(), Length(max=18)],
                               description=_l("The 18-character Unified Social Credit Code or resident ID number."))
    reason = TextAreaField(_l("What the abuse is"), validators=[DataRequired(), Length(max=4000)],
                           description=_l("How the subject misused its red-list incentives. At least 10 characters."))
    files = MultipleFileField(_l("Evidence files"), description=EVIDENCE_HINT, render_kw={"accept": ACCEPT_EVIDENCE})
    submit = SubmitField(_l("Report the abuse"))


class ReevaluationForm(FlaskForm):
    statement = TextAreaField(_l("The changed criterion"), validators=[DataRequired(), Length(max=4000)],
                              description=_l("The new rule, in words, as the subjects will read it."))
    category = SelectField(_l("Entries of the category"), choices=[SelectChoice("", _l("Any category")), *(
        SelectChoice(name, _l(workflow_labels.CATEGORIES[name])) for name in workflow_labels.RED_LIST_CATEGORIES)],
        validators=[Optional()])
    listed_before = DateField(_l("Entries listed before"), validators=[Optional()])
    basis_contains = StringField(_l("Entries whose basis contains"), validators=[Optional(), Length(max=200)])
    preview = SubmitField(_l("Show the entries that would be removed"))
    confirm = SubmitField(_l("Remove the chosen entries"))


class BlacklistReevaluationForm(ReevaluationForm):
    category = SelectField(_l("Entries of the category"), choices=[SelectChoice("", _l("Any category")), *(
        SelectChoice(name, _l(label)) for name, label in workflow_labels.CATEGORIES.items()
        if name not in workflow_labels.RED_LIST_CATEGORIES)], validators=[Optional()])
    key_attention_until = DateField(_l("On the key-attention list until"), validators=[Optional()],
                                    description=_l("Each subject that exits goes onto the key-attention list until "
                                                   "this day (not public)."))
    preview = SubmitField(_l("Show the entries that would exit"))
    confirm = SubmitField(_l("Exit the chosen entries"))
