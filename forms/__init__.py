"""WTForms forms, one module per area of the web app."""
