"""Municipal press releases into data: signatures and partnerships of cities."""

__version__ = "0.1.0"
