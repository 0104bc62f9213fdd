"""Flask extension instances, bound to the app in create_app."""
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from academy.core.db import Base

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:  # Flask-SQLAlchemy builds db.Model at run time; type checkers see the declarative base it extends.
    class Model(Base):
        __abstract__ = True
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
