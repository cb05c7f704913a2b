"""Imports every model module so Base.metadata is complete (alembic and the model/migration diff test)."""
from services.db import app_secrets, messaging_models, models, support_models, tracking_models  # noqa: F401
from services.db.base import Base

metadata = Base.metadata
