"""Pydantic output documents stored in the JobStore."""
