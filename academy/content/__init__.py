"""Courses, modules, lessons, quizzes and scenarios: the content schema, the file loader and authoring."""
