"""L'atelier : la page web locale où l'équipe suit la consultation, enregistre les avis et fabrique les versions."""
