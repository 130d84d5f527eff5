"""dtolab behind JupyterHub: the authenticator, local users, the embedded hub's launcher."""
