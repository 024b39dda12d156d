"""What a person looks at: graphs, data-flow traces, execution reports."""
