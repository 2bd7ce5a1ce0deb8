"""Mail in and out: send the units their forms, feedback and reminders; fetch the returns."""
