"""What every user action does, Qt-free: the commands the menus, keys and ``--do`` scripts call, the jobs
they start under each kind's policy, and the pipelines those jobs run."""
