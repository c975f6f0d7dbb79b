"""What is owed outside, through the API: every platform and webhook delivery with its attempts, for
administrators and supervisors, and a redelivery queued for the worker."""
from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from workflows.services.casework.actors import actor_for
from workflows.services.deliveries import outbound

from ..extensions import db
from .v1 import ERROR_SCHEMA, token_required
from .webhooks import AttemptOut

bp = Blueprint("api_deliveries", __name__, url_prefix="/api/v1/deliveries",
               description="Deliveries to the platform, to departments' webhooks and by SMS: attempts and redelivery")
SECURED = {"security": [{"bearerAuth": []}]}
TARGET = {"description": "platform, webhook or sms"}


class DeliveryArgs(ma.Schema):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("owed", "pending", "delivered", "failed")),
                              metadata={"description": "owed: not delivered (pending or failed)"})
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(1, 500))


class DeliveryOut(ma.Schema):
    target = ma.fields.String(metadata=TARGET)
    id = ma.fields.Integer()
    destination = ma.fields.String()
    department = ma.fields.String(allow_none=True)
    event_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"description": "pending (retried), delivered, failed (gave up)"})
    attempts = ma.fields.Integer()
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String()
    next_attempt_at = ma.fields.DateTime(allow_none=True)
    alerted_at = ma.fields.DateTime(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    log = ma.fields.List(ma.fields.Nested(AttemptOut))


@bp.route("", methods=["GET"])
@bp.arguments(DeliveryArgs, location="query")
@bp.response(200, DeliveryOut(many=True))
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not an administrator or supervisor")
@bp.doc(**SECURED)
@token_required
def deliveries(args):
    """Platform, webhook and SMS deliveries, newest first, each with its attempts (time, status code, error)."""
    return outbound.listing(db.session, actor_for(g.api_user), status=args["status"], limit=args["limit"])


@bp.route("/<any(platform, webhook, sms):target>/<int:delivery_id>/redeliver", methods=["POST"])
@bp.response(202, DeliveryOut)
@bp.alt_response(403, schema=ERROR_SCHEMA, description="Not an administrator or supervisor")
@bp.alt_response(404, schema=ERROR_SCHEMA, description="No such delivery")
@bp.doc(**SECURED, description="Queued for the worker, which attempts it with the same idempotency key and logs "
                               "the attempt as manual; a delivery that had given up is retried again.")
@token_required
def redeliver(target: str, delivery_id: int):
    """Deliver again."""
    delivery = outbound.request_redelivery(db.session, actor_for(g.api_user), target, delivery_id)
    db.session.commit()
    return delivery
