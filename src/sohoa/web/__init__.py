"""The staff web application (server-rendered, Vietnamese first): ``create_app(ctx)``."""
