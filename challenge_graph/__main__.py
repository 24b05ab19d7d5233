from challenge_graph.cli.main import main

if __name__ == "__main__":  # not when a worker process imports the module
    main()
