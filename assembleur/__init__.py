"""assembleur: the yearly Politique de la Ville rapport, assembled from YAML and Word templates."""

__version__ = "0.1.0"
