"""The office's own documents in Word (GB/T 9704-2012): the issuing notice and the 通报."""
