"""The onboarding pages; each module is one path a person takes in."""
