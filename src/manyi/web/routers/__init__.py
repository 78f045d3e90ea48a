"""manyi.web.routers."""
