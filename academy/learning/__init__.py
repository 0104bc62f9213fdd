"""Enrolment, progress, hours towards tracks and the learner's dashboard."""
