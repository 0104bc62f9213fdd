"""Kelisim Academy: the application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, item kinds, blueprints and the CLI. No migrations, network or
    exit here."""
    # Imported here, not at the top: importing any `academy.*` module runs this package's __init__ first, so
    # the factory's imports of every domain must wait until it is called.
    from werkzeug.middleware.proxy_fix import ProxyFix

    from academy import cli
    from academy import config as settings
    from academy.accounts.services import init_login
    from academy.accounts.views import bp as accounts_bp
    from academy.content import kinds
    from academy.content.checks import register_course_check
    from academy.core import web as hooks
    from academy.core.errors import register_error_handlers
    from academy.extensions import babel, csrf, db, limiter, login_manager, migrate
    from academy.learning.lessons import Lesson
    from academy.learning.views import bp as learning_bp
    from academy.manage.views import bp as manage_bp
    from academy.quizzes import cues as quiz_cues
    from academy.quizzes.kinds import Question, Quiz
    from academy.quizzes.manage_views import bp as quizzes_manage_bp
    from academy.quizzes.views import bp as quizzes_bp
    from academy.scenarios import cues as scenario_cues
    from academy.scenarios.kind import Scenario
    from academy.scenarios.views import bp as scenarios_bp
    from academy.site.views import bp as site_bp

    root = Path(__file__).resolve().parent.parent
    app = Flask(__name__, instance_relative_config=True, static_folder=str(root / "static"),
                static_url_path="/static")
    app.config.update(settings.load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    settings.configure_logging(app)
    if app.config["ACADEMY_PROXY_COUNT"]:
        n = app.config["ACADEMY_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    init_login(login_manager)
    babel.init_app(app, locale_selector=hooks.select_babel_locale)
    # The locale and access hooks run before CSRF's, so even a refused form is answered in the page's language.
    hooks.register(app)
    csrf.init_app(app)
    limiter.init_app(app)

    # Item kinds: content knows lessons, quizzes, questions and role-plays only through this registry.
    kinds.register(Lesson())
    kinds.register(Quiz())
    kinds.register(Question())
    kinds.register(Scenario())

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(scenarios_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(quizzes_manage_bp)

    # The measures `academy content check` and the editor run on every course (content imports neither).
    register_course_check(app, quiz_cues.course_measures)
    register_course_check(app, scenario_cues.course_measures)

    register_error_handlers(app)
    cli.register(app)
    return app
