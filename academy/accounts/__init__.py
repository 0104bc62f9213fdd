"""Users, roles, registration, sign-in, profile and language preference."""
