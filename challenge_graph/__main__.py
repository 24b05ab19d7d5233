from challenge_graph.cli import main

main()
