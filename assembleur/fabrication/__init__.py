"""La fabrication : enchaînement des étapes, versions, reprise, manifeste, surveillance."""
