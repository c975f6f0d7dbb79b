"""Log-in and sign-up forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class SignUpForm(FlaskForm):
    code = StringField(_l("Unified Social Credit Code or resident ID number"), validators=[DataRequired(), Length(min=18, max=18)])
    name = StringField(_l("Name of the enterprise or person"), validators=[DataRequired(), Length(max=200)])
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=80)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                        description=_l("Notices also come by SMS to this number; you can switch SMS off later."))
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[DataRequired(), EqualTo("password")])
    submit = SubmitField(_l("Sign up"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), EqualTo("password")])
    submit = SubmitField(_l("Change the password"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), EqualTo("password")])
    submit = SubmitField(_l("Set the password"))


class ContactForm(FlaskForm):
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                        description=_l("A mainland China mobile number, such as 13800138000."))
    sms = BooleanField(_l("Also send my notices by SMS"))
    submit = SubmitField(_l("Save"))
