"""Les contenus : lecture YAML, validation, modèle, schémas, nouvelle année, consultation, français."""
