"""The unified national training standard: competencies, tracks and their versions."""
