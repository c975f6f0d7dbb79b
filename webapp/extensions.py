"""Extensions, created unbound and initialised in create_app()."""
import marshmallow as ma
from flask_babel import Babel
from jinja2 import BytecodeCache
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
    """The API of every blueprint registered on it, documented when its OpenAPI document is first read.

    Describing the routes (marshmallow schemas to JSON Schema) takes about half a second per app, and the error
    responses of every HTTP status another 10 ms; a web worker that never serves the document, and each app the
    tests make, need not pay it.
    """

    ERROR_SCHEMA = ApiError

    def init_app(self, app, *, spec_kwargs=None):
        self._undocumented = []
        self._responses_pending = False
        self._documenting = True  # while the app is made: its own reads of `spec` describe nothing yet
        super().init_app(app, spec_kwargs=spec_kwargs)
        self._spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
        self._documenting = False

    def _register_responses(self):
        self._responses_pending = True  # described with the routes, first thing when the document is read

    @property
    def spec(self):
        pending = getattr(self, "_undocumented", None) or getattr(self, "_responses_pending", False)
        if pending and not self._documenting:
            self._documenting = True
            try:
                if self._responses_pending:
                    self._responses_pending = False
                    super()._register_responses()
                while self._undocumented:
                    blueprint, name, parameters = self._undocumented.pop(0)
                    blueprint.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                    self._spec.tag({"name": name, "description": blueprint.description})
            finally:
                self._documenting = False
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, shared by its apps; a changed template's checksum recompiles it."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


compiled_templates = CompiledTemplates()


api = CreditApi()
api.register_converter(DatabaseId, integerconverter2paramschema)
