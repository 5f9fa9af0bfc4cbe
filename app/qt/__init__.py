"""The Qt side of IRN Studio: jobs (workers), the controller glue, the window and its views."""
