"""Web shop back-office domain logic."""
