"""Facts: what each file says about Inngest, merged into a project index for project rules."""
