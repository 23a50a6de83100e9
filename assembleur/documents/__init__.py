"""Les documents : chiffres tirés des contenus, remplissage des gabarits, annexes, graphiques."""
