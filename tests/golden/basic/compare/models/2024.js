surveysiteCompare.models({"papers":[{"models":[["Beta-60M","60M","proposed"]],"name":{"en":"Beta","zh":"Beta"},"slug":"beta"}],"year":2024});
