"""The top layer: what composes every app (set-up, the demo loader, the `pantau` console script,
the API root that mounts each app's router, the home page). No app imports it."""
