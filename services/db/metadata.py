"""Imports every model module so Base.metadata is complete (alembic and the model/migration diff test)."""
from services.db import (  # noqa: F401
    adjustment_models, app_secrets, bonus_models, dashboard_models, materials_models, messaging_models, models, payout_models, stats_models,
    support_models, tracking_models)
from services.db.base import Base

metadata = Base.metadata
