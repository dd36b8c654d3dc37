from screening.launch import main

main()
