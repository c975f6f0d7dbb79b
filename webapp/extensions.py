"""Extensions, created unbound and initialised in create_app()."""
import marshmallow as ma
from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from werkzeug.routing import IntegerConverter

from workflows.store.base import Base

db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class DatabaseId(IntegerConverter):
    """`<int:...>` in routes, bounded by the database's INTEGER: a larger id is a 404, never an overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class ErrorDetail(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    details = ma.fields.Dict(required=True)


class ApiError(ma.Schema):
    """Every API error (webapp.errors.error_response), documented as the default response too."""

    error = ma.fields.Nested(ErrorDetail, required=True)


class CreditApi(Api):
    ERROR_SCHEMA = ApiError


api = CreditApi()
api.register_converter(DatabaseId, integerconverter2paramschema)
