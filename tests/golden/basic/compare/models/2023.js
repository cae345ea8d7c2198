surveysiteCompare.models({"papers":[{"models":[["Alpha-1B","1.1B","proposed"],["Big-70B","70B","baseline"]],"name":{"en":"Alpha","zh":"Alpha"},"slug":"alpha"}],"year":2023});
