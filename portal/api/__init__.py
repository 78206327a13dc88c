"""HTTP routers of the portal API (docs/api.md), one module per resource."""
