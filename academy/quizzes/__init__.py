"""Question types, quiz attempts and grading."""
