"""Lessons: guided scenarios a teacher plays in class, written as data files (resources/lessons/*.yaml)."""
