"""Config: `config/*.yaml` becomes one frozen `Config` (settings, the item catalogue, the agencies).
Gives every later stage its settings; may use only `core`."""
