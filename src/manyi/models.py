"""Every ORM model, imported in one place so Alembic and create_all see the whole schema."""

from manyi.audit.models import AuditEvent
from manyi.catalog.models import Product
from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.importing.models import ImportRun
from manyi.interaction.models import Interaction
from manyi.order.models import Order, OrderLine
from manyi.scoring.models import CustomerScore, RetentionAction
from manyi.segment.models import SavedSegment, SegmentMembership, SegmentSnapshot
from manyi.staff.models import ApiToken, LoginAttempt, StaffSession, StaffUser
from manyi.store.base import Base

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "ConsentEvent",
    "Customer",
    "CustomerIdentity",
    "CustomerScore",
    "FeedbackAnalysis",
    "FeedbackItem",
    "ImportRun",
    "Interaction",
    "LoginAttempt",
    "Order",
    "OrderLine",
    "Product",
    "RetentionAction",
    "SavedSegment",
    "SegmentMembership",
    "SegmentSnapshot",
    "StaffSession",
    "StaffUser",
]
