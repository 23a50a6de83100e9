"""Le PDF : LibreOffice, conversion, assemblage, finitions, OCR, @ctes (n'utilise rien au-dessus)."""
