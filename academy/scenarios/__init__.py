"""Branching role-play scenarios: graphs, runs and scoring."""
