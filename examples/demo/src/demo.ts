console.log("demo placeholder")
