"""An implementing department's webhooks through the API: endpoints, the delivery log, redelivery."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask_smorest import Blueprint

from workflows.services.casework.actors import actor_for
from workflows.services.deliveries import webhooks

from ..extensions import db
from .v1 import ERROR_SCHEMA, token_required

bp = Blueprint("api_webhooks", __name__, url_prefix="/api/v1/webhooks",
               description="An implementing department's webhook endpoints, deliveries and redelivery")
SECURED = {"security": [{"bearerAuth": []}]}


class EndpointIn(ma.Schema):
    url = ma.fields.String(required=True, metadata={"description": "HTTPS"})


class EndpointOut(ma.Schema):
    id = ma.fields.Integer()
    url = ma.fields.String()
    active = ma.fields.Boolean()
    department = ma.fields.String(attribute="department.code")
    created_at = ma.fields.DateTime()


class NewEndpointOut(EndpointOut):
    secret = ma.fields.String(metadata={"description": "shown once: keep it to verify signatures"})


class AttemptOut(ma.Schema):
    at = ma.fields.DateTime()
    status_code = ma.fields.Integer(allow_none=True)
    error = ma.fields.String()
    manual = ma.fields.Boolean()


class WebhookDeliveryOut(ma.Schema):
    id = ma.fields.Integer()
    endpoint_id = ma.fields.Integer()
    idempotency_key = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String()
    next_attempt_at = ma.fields.DateTime(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    payload = ma.fields.Dict()
    log = ma.fields.List(ma.fields.Nested(AttemptOut))


HOOKS_DOC = ("Messages are POSTed as JSON with `Idempotency-Key`, `X-Credit-Cases-Timestamp` (Unix seconds) and "
             "`X-Credit-Cases-Signature: sha256=<hex HMAC-SHA256 with the secret over '<timestamp>.<body>'>`.")


def _allow_http() -> bool:
    return bool(current_app.config["CREDIT_CASES"].testing)


@bp.route("", methods=["POST"])
@bp.arguments(EndpointIn)
@bp.response(201, NewEndpointOut)
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not an implementing department")
@bp.alt_response(409, schema=ERROR_SCHEMA, description="The department has its maximum of active endpoints")
@bp.alt_response(422, schema=ERROR_SCHEMA, description="Not an HTTPS URL, or a loopback, link-local or private address")
@bp.doc(**SECURED, description=HOOKS_DOC)
@token_required
def register_endpoint(body):
    """Register an endpoint for the caller's department; the answer carries its signing secret, once."""
    endpoint = webhooks.register_endpoint(db.session, actor_for(g.api_user), body["url"], allow_http=_allow_http(),
                                          allowed_hosts=current_app.config["CREDIT_CASES"].webhook_allowed_hosts)
    db.session.commit()
    return endpoint


@bp.route("", methods=["GET"])
@bp.response(200, EndpointOut(many=True))
@bp.doc(**SECURED)
@token_required
def endpoints():
    """The caller's department's endpoints."""
    return webhooks.endpoints_of(db.session, actor_for(g.api_user))


@bp.route("/<int:endpoint_id>", methods=["DELETE"])
@bp.response(200, EndpointOut)
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such endpoint of the caller's department")
@bp.doc(**SECURED)
@token_required
def deactivate(endpoint_id: int):
    """Stop sending to an endpoint (its log is kept)."""
    endpoint = webhooks.deactivate(db.session, actor_for(g.api_user), endpoint_id)
    db.session.commit()
    return endpoint


@bp.route("/deliveries", methods=["GET"])
@bp.response(200, WebhookDeliveryOut(many=True))
@bp.doc(**SECURED)
@token_required
def deliveries():
    """The delivery log of the caller's department, newest first, each with its attempts."""
    return webhooks.deliveries_of(db.session, actor_for(g.api_user))


@bp.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@bp.response(202, WebhookDeliveryOut)
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such delivery of the caller's department")
@bp.doc(**SECURED, description="Queued for the worker, which attempts it with the same idempotency key and logs "
                               "the attempt as manual.")
@token_required
def redeliver(delivery_id: int):
    """Send a delivery again."""
    delivery = webhooks.redeliver(db.session, actor_for(g.api_user), delivery_id)
    db.session.commit()
    return delivery
